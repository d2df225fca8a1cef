namespace Wharf.Storage.Tests.Support;

/// <summary>A clock that always reads the same instant.</summary>
internal sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
