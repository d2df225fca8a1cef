namespace Wharf.StaticManifest.Tests;

/// <summary>
/// Writes a manifest with a chosen last-write time, to stand for a rewrite within the same timestamp tick (the time
/// and length the pollers stat cannot show the change) without depending on how fast the test runs.
/// </summary>
internal static class SameTickWrites
{
    /// <summary>
    /// A time inside the racy window for the whole test however slowly it runs: a minute ahead of the clock. A time
    /// ahead of the clock is racy for the pollers as a time of a moment ago is (now minus it is under two seconds),
    /// and unlike one of a moment ago it cannot settle while a loaded test machine stalls.
    /// </summary>
    public static DateTime RacyTime() => DateTime.UtcNow.AddMinutes(1);

    /// <summary>A time the pollers trust: well past the racy window (two seconds), as a manifest written at a deploy long ago.</summary>
    public static DateTime SettledTime() => DateTime.UtcNow.AddSeconds(-10);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> with the last-write time <paramref name="time"/>.
    /// The time is set on a temporary file renamed over the manifest, so a poll sees the old file or the new one with
    /// its final time, never the new content with the time of the moment it was written.
    /// </summary>
    /// <returns>The time as the file system keeps it, to compare with the other write.</returns>
    public static DateTime Write(string path, byte[] content, DateTime time)
    {
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temporary, content);
        File.SetLastWriteTimeUtc(temporary, time);
        File.Move(temporary, path, overwrite: true);
        return File.GetLastWriteTimeUtc(path);
    }
}
