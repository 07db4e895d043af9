"""Filing requests: the Ask-for-help form and logging email requests."""
