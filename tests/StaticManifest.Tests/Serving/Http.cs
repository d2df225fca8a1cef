using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Wharf.StaticManifest.Tests.Serving;

/// <summary>Request and header helpers: raw header values, exactly as sent on the wire.</summary>
internal static class Http
{
    public static async Task<HttpResponseMessage> SendAsync(RawClient client, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetAsync(RawClient client, string path, params (string Name, string Value)[] headers) =>
        SendAsync(client, HttpMethod.Get, path, headers);

    /// <summary>A response header (message or content) as sent, lines joined with ", "; null when absent.</summary>
    public static string? Header(HttpResponseMessage response, string name)
    {
        if (response.Headers.NonValidated.TryGetValues(name, out HeaderStringValues values) || response.Content.Headers.NonValidated.TryGetValues(name, out values))
        {
            return string.Join(", ", values);
        }

        return null;
    }

    public static async Task<byte[]> BodyAsync(HttpResponseMessage response) => await response.Content.ReadAsByteArrayAsync();

    public static bool FellThrough(HttpResponseMessage response) => Header(response, "X-Fall-Through") == "1";
}

/// <summary>
/// Sends requests into a TestServer with the header values exactly as given. HttpClient re-serialises headers it can
/// parse (<c>bytes=1 -2</c> reaches the server as <c>bytes=1-2</c>), which would hide the very inputs the parsers must
/// cope with; here the path is decoded as Kestrel decodes it (<see cref="PathString.FromUriComponent(string)"/>) and
/// nothing else is touched.
/// </summary>
internal sealed class RawClient(TestServer server)
{
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        string target = request.RequestUri!.OriginalString;
        int query = target.IndexOf('?', StringComparison.Ordinal);
        HttpContext context = await server.SendAsync(c =>
        {
            c.Request.Method = request.Method.Method;
            c.Request.Path = PathString.FromUriComponent(query < 0 ? target : target[..query]);
            c.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(target[query..]);
            foreach (KeyValuePair<string, HeaderStringValues> header in request.Headers.NonValidated)
            {
                c.Request.Headers.Append(header.Key, header.Value.ToArray());
            }
        });

        using var body = new MemoryStream();
        await context.Response.Body.CopyToAsync(body);
        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode) { Content = new ByteArrayContent(body.ToArray()) };
        response.Content.Headers.Clear();
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in context.Response.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()!))
            {
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()!);
            }
        }

        return response;
    }
}
