using System.Globalization;
using System.Text;

namespace Wharf.Storage;

/// <summary>
/// The generate-filename hook (Django's <c>upload_to</c>): turns a client's file name into an object name under a
/// folder template such as <c>documents/{yyyy}/{MM}/</c>. Derive from it and override <see cref="Generate"/> for
/// other schemes.
/// </summary>
/// <remarks>
/// Tokens: <c>{yyyy}</c>, <c>{yy}</c>, <c>{MM}</c>, <c>{dd}</c>, <c>{HH}</c>, <c>{mm}</c>, <c>{ss}</c> (UTC) and
/// <c>{guid}</c> (32 hex digits). An unknown token is an error when the generator is made, not at the first upload.
/// </remarks>
public class UploadNameGenerator
{
    private static readonly string[] Tokens = ["yyyy", "yy", "MM", "dd", "HH", "mm", "ss", "guid"];
    private readonly string _template;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a generator.</summary>
    /// <param name="folderTemplate">The folder, with tokens; empty for the storage's top level.</param>
    /// <param name="timeProvider">The clock for date tokens; the system clock by default.</param>
    /// <exception cref="ArgumentException">The template has an unknown or unclosed token, or makes an invalid folder.</exception>
    public UploadNameGenerator(string folderTemplate, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(folderTemplate);
        _template = folderTemplate.Replace('\\', '/');
        if (_template.Length > 0 && !_template.EndsWith('/'))
        {
            _template += "/";
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
        string sample = Expand(DateTimeOffset.UnixEpoch) + "file";
        string? problem = ObjectName.GetProblem(sample);
        if (problem is not null)
        {
            throw new ArgumentException($"The upload folder template '{folderTemplate}' makes invalid names: {problem}", nameof(folderTemplate));
        }
    }

    /// <summary>The object name for a client's file: the expanded folder plus <see cref="FileNames.GetValidName"/> of the file name.</summary>
    /// <param name="clientFileName">The file name (or path) the client sent.</param>
    public virtual string Generate(string clientFileName) =>
        Expand(_timeProvider.GetUtcNow()) + FileNames.GetValidName(FileNames.GetClientFileName(clientFileName));

    private string Expand(DateTimeOffset now)
    {
        if (!_template.Contains('{', StringComparison.Ordinal))
        {
            return _template;
        }

        var builder = new StringBuilder(_template.Length + 16);
        for (int i = 0; i < _template.Length; i++)
        {
            char c = _template[i];
            if (c != '{')
            {
                builder.Append(c);
                continue;
            }

            int close = _template.IndexOf('}', i);
            if (close < 0)
            {
                throw new ArgumentException($"The upload folder template '{_template}' has an unclosed '{{'.");
            }

            string token = _template[(i + 1)..close];
            builder.Append(token switch
            {
                "guid" => Guid.NewGuid().ToString("N"),
                _ when Array.IndexOf(Tokens, token) >= 0 => now.UtcDateTime.ToString(token, CultureInfo.InvariantCulture),
                _ => throw new ArgumentException(
                    $"The upload folder template '{_template}' has the unknown token '{{{token}}}'; known tokens: {string.Join(", ", Tokens.Select(t => "{" + t + "}"))}."),
            });
            i = close;
        }

        return builder.ToString();
    }
}
