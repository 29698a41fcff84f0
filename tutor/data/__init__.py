"""Data sets: small seeded generators and the image-set loaders."""
