print("migrator: not yet")
