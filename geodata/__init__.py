"""Input data: readers, coordinate systems, road networks, travel matrices, bundled regions."""
