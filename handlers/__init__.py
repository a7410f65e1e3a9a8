"""Conversations: a platform-neutral request in, a platform-neutral reply out."""
