"""Training data: pair discovery, subject-level split, cached 1.5 mm RAS+ volumes, augmented 128^3 crops."""
