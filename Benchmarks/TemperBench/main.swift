// Placeholder entry; the benchmark helper fills this in.
print("TemperBench")
