print("ssdd")
