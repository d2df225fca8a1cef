namespace Wharf.Storage.FileSystem.Internal;

/// <summary>Extra name rules where the files live on Windows: reserved characters and device names, and segments Windows would silently trim.</summary>
internal static class WindowsNames
{
    private static readonly string[] DeviceNames = ["CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"];

    public static string? GetProblem(string name)
    {
        if (name.AsSpan().IndexOfAny("<>:\"|?*") is >= 0 and var index)
        {
            return $"the character '{name[index]}' cannot be in a Windows file name.";
        }

        foreach (string segment in name.Split('/'))
        {
            if (segment.EndsWith('.') || segment.EndsWith(' '))
            {
                return "a segment ends with '.' or a space, which Windows drops, so two names would mean one file.";
            }

            string stem = segment.Split('.')[0].TrimEnd();
            if (DeviceNames.Contains(stem, StringComparer.OrdinalIgnoreCase))
            {
                return $"'{stem}' is a reserved Windows device name.";
            }
        }

        return null;
    }
}
