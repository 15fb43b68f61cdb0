from benchmarks.moving.run import main

main()
