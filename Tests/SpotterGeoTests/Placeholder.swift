// Geo tests are added in later files.
