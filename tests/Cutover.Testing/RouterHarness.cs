using System.Net.Http.Headers;
using System.Text;
using Cutover.Core.DecisionLog;
using Cutover.Core.Webhooks;
using Cutover.Server.DecisionLog;
using Cutover.Server.Hosting;
using Cutover.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cutover.Testing;

/// <summary>
/// A real Cutover server on a loopback port with a temporary SQLite store, pointed at
/// <see cref="RecordingUpstreams"/>, signing as Meta signs. Hermetic: no environment variables are read.
/// </summary>
public sealed class RouterHarness : IAsyncDisposable
{
    public const string AppSecret = "test-app-secret-0123456789";
    public const string VerifyToken = "test-verify-token";

    private readonly DirectoryInfo _directory;

    private RouterHarness(WebApplication app, DirectoryInfo directory, Uri address)
    {
        App = app;
        _directory = directory;
        Address = address;
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public string DatabasePath => Path.Combine(_directory.FullName, "cutover.db");

    public static WebhookSignature Signer { get; } = new(AppSecret);

    /// <summary>The settings every harness starts from: all upstreams, a secret, a verify token, a temp store.</summary>
    public static Dictionary<string, string?> DefaultSettings(RecordingUpstreams upstreams, string databasePath)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cutover:AppSecret"] = AppSecret,
            ["Cutover:VerifyToken"] = VerifyToken,
            ["Cutover:Store:ConnectionString"] = $"Data Source={databasePath}",
        };
        foreach (var name in RecordingUpstreams.Names)
        {
            settings[$"Cutover:Upstreams:{name}:Url"] = upstreams.UrlOf(name);
        }

        return settings;
    }

    public static async Task<RouterHarness> StartAsync(
        RecordingUpstreams upstreams,
        Action<Dictionary<string, string?>>? configure = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default,
        Action<IServiceCollection>? services = null)
    {
        var directory = Directory.CreateTempSubdirectory("cutover-test-");
        var settings = DefaultSettings(upstreams, Path.Combine(directory.FullName, "cutover.db"));
        configure?.Invoke(settings);
        var app = CutoverHost.Build(new CutoverHostOptions
        {
            Settings = settings,
            Listen = "http://127.0.0.1:0",
            IncludeEnvironment = false,
            Time = time,
            ConfigureLogging = static l => l.ClearProviders(),
            ConfigureServices = services,
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            directory.Delete(recursive: true);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RouterHarness(app, directory, new Uri(address));
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>POSTs a webhook body, signed with the app secret unless told otherwise.</summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(byte[] body, bool sign = true, string? signature = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null || sign)
        {
            content.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature ?? Signer.Sign(body));
        }

        return await Http.PostAsync("webhook", content);
    }

    /// <summary>Calls the admin API with an optional JSON body and bearer token.</summary>
    public async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? json = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Sets the global percentage (as actor local, from loopback) and checks it took.</summary>
    public async Task SetPercentAsync(decimal percent, string? domain = null)
    {
        var body = domain is null
            ? $$"""{"percent": {{percent.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "reason": "test"}"""
            : $$"""{"percent": {{percent.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "domain": "{{domain}}", "reason": "test"}""";
        using var response = await AdminAsync(HttpMethod.Put, "admin/routing", body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"setting {percent}% failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Waits until the decision log has written at least <paramref name="count"/> records.</summary>
    public Task WaitForDecisionsAsync(long count, TimeSpan? timeout = null)
    {
        var queue = Service<DecisionLogQueue>();
        return Eventually.WaitAsync(() => queue.Counters.Written >= count, timeout ?? TimeSpan.FromSeconds(30), $"{count} decisions written");
    }

    public Task<IReadOnlyList<DecisionRecord>> DecisionsAsync(int limit = 1_000_000) =>
        Service<ICutoverStore>().QueryDecisionsAsync(new DecisionQuery(limit), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync(); // the store releases its own pool; clearing every pool would close other tests' connections
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves a temp directory behind.
        }
    }
}
