from benchmarks.moving import main

main()
