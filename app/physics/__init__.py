"""The physics: the vacuum's closed forms, flight through air (the torch simulator
training uses, the compiled kernel serving uses) and the reference the tests hold both to."""
