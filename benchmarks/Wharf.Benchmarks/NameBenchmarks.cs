using BenchmarkDotNet.Attributes;
using Wharf.Storage;

namespace Wharf.Benchmarks;

/// <summary>Checking a typical valid object name. Target: at most 200 ns and nothing allocated.</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class NameBenchmarks
{
    // An instance field, not a constant, so the JIT cannot fold the check away.
    private readonly string _name = "documents/2026/11/johns_portrait_in_2004.jpg";

    [Benchmark(Description = "ObjectName.IsValid")]
    public bool IsValid() => ObjectName.IsValid(_name);

    [Benchmark(Description = "ObjectName.Validate")]
    public string Validate() => ObjectName.Validate("bench", _name);
}
