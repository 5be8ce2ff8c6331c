using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cutover.Server.Contracts;

namespace Cutover.Cli;

/// <summary>
/// Talks to a running server's <c>/admin</c> API. Turns every failure into a <see cref="CliException"/>
/// whose message names the problem: an unreachable server (69) names the URL, a refused token (77) and
/// a refused change (1) carry the server's own sentence.
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
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
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

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
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

            var error = ErrorBodyOf(text);
            if (response.StatusCode == HttpStatusCode.NotFound && error?.Message is null)
            {
                throw new CliException(ExitCodes.Unavailable, $"{_baseUrl} has no {path}: is it a Cutover server?");
            }

            var message = error?.Message ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            var exit = ExitCodes.OfRefusal(error?.Error, response.StatusCode);
            throw new CliException(exit, exit == ExitCodes.NoPermission ? $"{message} ({(int)response.StatusCode})" : message);
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
