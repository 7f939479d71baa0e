"""Models: three-tier network design, collection routing, recycling-base siting, and their checkers."""
