"""The data behind each figure (``data``) and the figures drawn from it (``figures``)."""
