// Every test uses its own temp folder and a unique storage name, and the telemetry tests filter the process-wide
// meter and activity source by that name, so tests can run side by side.
[assembly: Parallelize(Scope = ExecutionScope.MethodLevel, Workers = 2)]
