from benchmarks.buckets import main

main()
