"""Not the product: the seeded demo generator and the build benchmark."""
