using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cutover.Core.Text;
using Cutover.Server.Contracts;

namespace Cutover.Cli;

/// <summary>
/// Talks to a running server's <c>/admin</c> API. Turns every failure into a <see cref="CliException"/>
/// whose message names the problem: an unreachable server (69) names the URL, and so does a server that is not
/// Cutover's (69, with what it answered); a refused token (77) and a refused change (1) carry the server's own sentence.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;

    public AdminClient(Uri baseUrl, string? token)
    {
        // Relative paths resolve against the last '/': without one, a path prefix such as /cutover would be lost.
        _baseUrl = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = _baseUrl,
            Timeout = Timeout,
        };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, type, cancellationToken);

    public Task<T> SendAsync<TBody, T>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type,
        CancellationToken cancellationToken) =>
        SendAsync(method, path, new StringContent(JsonSerializer.Serialize(body, bodyType), Encoding.UTF8, "application/json"), type, cancellationToken);

    public Task<T> PostRawAsync<T>(string path, byte[] body, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return SendAsync(HttpMethod.Post, path, content, type, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw Refusal(response, text);
            }

            // Cutover answers every admin path with JSON: anything else came from some other server at that address
            // (a web server's page, a proxy's), and naming what it said helps the operator find which.
            if (!IsJson(text))
            {
                throw NotCutover(response, text);
            }

            try
            {
                return JsonSerializer.Deserialize(text, type)
                    ?? throw new CliException(ExitCodes.Software, $"{_baseUrl} answered {path} with an empty body");
            }
            catch (JsonException ex)
            {
                throw new CliException(ExitCodes.Software, $"{_baseUrl} answered {path} with something that is not Cutover's JSON: {ex.Message}");
            }
        }
    }

    /// <summary>Sends <paramref name="request"/>; a server that cannot be reached or does not answer in time exits 69 naming the URL.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Unavailable, $"cannot reach Cutover at {_baseUrl}: {Describe(ex)} "
                + $"(is 'cutover serve' running there? set --url or {CommonOptions.UrlVariable})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unavailable, $"Cutover at {_baseUrl} did not answer within {Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// Reads a <c>text/event-stream</c> answer: each event's name and data, until the server ends the stream (a
    /// <see cref="CliException"/> naming the URL: it went away) or <paramref name="cancellationToken"/> is cancelled. No
    /// timeout once the answer has started: a stream may be quiet for long (the server sends keepalives).
    /// </summary>
    public async IAsyncEnumerable<(string Event, string Data)> EventsAsync(
        string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Refusal(response, await response.Content.ReadAsStringAsync(cancellationToken));
            }

            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw NotCutover(response, await response.Content.ReadAsStringAsync(cancellationToken));
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(body, Encoding.UTF8);
            var name = "message";
            var data = new StringBuilder();
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken);
                }
                catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new CliException(ExitCodes.Unavailable, $"Cutover at {_baseUrl} broke off the stream: {ex.Message}");
                }

                if (line is null)
                {
                    throw new CliException(ExitCodes.Unavailable, $"Cutover at {_baseUrl} ended the stream (it stopped, or a proxy closed it)");
                }

                // The event-stream format: a blank line ends an event; ':' starts a comment (the keepalives); "field: value".
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        yield return (name, data.ToString());
                    }

                    name = "message";
                    data.Clear();
                    continue;
                }

                if (line[0] == ':')
                {
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
                if (field == "event")
                {
                    name = value;
                }
                else if (field == "data")
                {
                    if (data.Length > 0)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                }
            }
        }
    }

    /// <summary>A non-success answer as the exception to throw: Cutover's refusal with its sentence, or not Cutover at all.</summary>
    private CliException Refusal(HttpResponseMessage response, string text)
    {
        // Every refusal of Cutover's carries its error body: a 4xx without one (a web server's 404 page) is not
        // Cutover's. A 5xx without one may still be Cutover failing (or a proxy in front of it), so it keeps its status.
        var error = ErrorBodyOf(text);
        if (error is not { Error: not null, Message: not null } && (int)response.StatusCode < 500)
        {
            return NotCutover(response, text);
        }

        var message = error?.Message ?? $"{(int)response.StatusCode} {UnsafeText.Sanitize(response.ReasonPhrase ?? string.Empty)}".TrimEnd();
        var exit = ExitCodes.OfRefusal(error?.Error, response.StatusCode);
        return new CliException(exit, exit == ExitCodes.NoPermission ? $"{message} ({(int)response.StatusCode})" : message);
    }

    /// <summary>
    /// "URL is not a Cutover server (it answered 404 Not Found, text/html: &lt;html&gt;…)": the status, the type and the
    /// start of the body, made safe to print (it comes from a stranger).
    /// </summary>
    private CliException NotCutover(HttpResponseMessage response, string body)
    {
        var status = $"{(int)response.StatusCode} {UnsafeText.Sanitize(response.ReasonPhrase ?? string.Empty)}".TrimEnd();
        var type = response.Content.Headers.ContentType?.MediaType is { } media ? $", {UnsafeText.Sanitize(media)}" : string.Empty;
        var start = string.Join(' ', body.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        var sample = start.Length == 0 ? ", an empty body" : $": {UnsafeText.Sanitize(start, 80)}";
        return new CliException(ExitCodes.Unavailable, $"{_baseUrl} is not a Cutover server (it answered {status}{type}{sample})");
    }

    /// <summary>Whether the body is one JSON value, whatever its shape (the shape is the deserializer's business).</summary>
    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ErrorBody? ErrorBodyOf(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ServerJson.Default.ErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.HostNotFound } => "host not found",
        SocketException socket => socket.Message,
        _ => ex.Message,
    };
}
