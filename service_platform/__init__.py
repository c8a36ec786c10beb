"""Reference service platform: the district's authority on elders, meals, capacity and bookings."""
