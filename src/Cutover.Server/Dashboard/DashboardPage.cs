using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cutover.Server.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: the operator's page, its script and its style, embedded in the assembly so the page works with
/// no network beyond the router itself. The files hold no data and need no token; the script reads the admin API with
/// the token the operator gives it. Every answer carries a policy that allows only this origin and no inline script.
/// </summary>
internal static class DashboardPage
{
    public const string Path = "/dashboard";

    /// <summary>Only this origin, no inline script or style, no framing, no plugins.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (byte[] Body, string ContentType)> Assets = new Dictionary<string, (byte[], string)>
    {
        [Path] = (Read("index.html"), "text/html; charset=utf-8"),
        [$"{Path}/dashboard.js"] = (Read("dashboard.js"), "text/javascript; charset=utf-8"),
        [$"{Path}/dashboard.css"] = (Read("dashboard.css"), "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (path, (body, contentType)) in Assets)
        {
            app.MapGet(path, (HttpContext context) => WriteAsync(context, body, contentType));
        }
    }

    private static Task WriteAsync(HttpContext context, byte[] body, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // Revalidated on every load: an upgraded router serves its own page at once.
        headers.CacheControl = "no-cache";
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream($"Cutover.Dashboard.{name}")
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded in the server");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
