// Every test runs the tool in its own temp folder with its own XDG_CACHE_HOME, so two can run side by side.
[assembly: Parallelize(Scope = ExecutionScope.MethodLevel, Workers = 2)]
