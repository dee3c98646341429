"""Rules that check the input itself: files that cannot be read never pass."""
