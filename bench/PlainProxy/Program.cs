using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace PlainProxy;

/// <summary>
/// A plain reverse proxy: every request goes to one destination through YARP's <see cref="IHttpForwarder"/>
/// and one pooled <see cref="HttpMessageInvoker"/>, as TOOLCHAIN.md item 7 sets it up. It is what
/// Cutover's forwarding is measured against, so it does nothing else: no parsing, logging or metrics.
/// </summary>
/// <example>dotnet PlainProxy.dll --listen http://127.0.0.1:8090 --destination http://127.0.0.1:9001/</example>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var listen = Argument(args, "--listen");
        var destination = Argument(args, "--destination");
        if (listen is null || destination is null
            || !Uri.TryCreate(listen, UriKind.Absolute, out var listenUri)
            || !Uri.TryCreate(destination, UriKind.Absolute, out _))
        {
            await Console.Error.WriteLineAsync("usage: PlainProxy --listen http://127.0.0.1:PORT --destination http://127.0.0.1:PORT/");
            return 64;
        }

        // A benchmark helper must never listen beyond this machine.
        if (!IPAddress.TryParse(listenUri.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            await Console.Error.WriteLineAsync($"--listen: '{listen}' is not a loopback address such as http://127.0.0.1:8090");
            return 64;
        }

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls(listen);
        builder.WebHost.ConfigureKestrel(static k => k.AddServerHeader = false);

        // Unset by default: plain YARP as it ships. PROXY_ENV=DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 in run.sh gives it
        // the two switches cutover turns on for itself (the runtime's, and Kestrel's that follows it here as in cutover).
        builder.WebHost.UseSockets(static o =>
            o.UnsafePreferInlineScheduling = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1");
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();

        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        });

        await using var app = builder.Build();
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();

        // A RequestDelegate, not a minimal-API lambda: a returned ForwarderError would be written to the response as JSON.
        app.Map("/{**path}", (RequestDelegate)(async context =>
            await forwarder.SendAsync(context, destination, invoker, ForwarderRequestConfig.Empty, HttpTransformer.Default)));
        await app.StartAsync();
        Console.WriteLine($"PlainProxy listening on {string.Join(", ", app.Urls)}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static string? Argument(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
