using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Cutover.Server.Admin;

/// <summary>
/// The request headers that say a proxy, load balancer or CDN passed the request on: a request that carries one came
/// from further away than the connection it arrived on, even when that connection is loopback.
/// </summary>
internal static class ProxyHeaders
{
    /// <summary>Every <c>X-Forwarded-…</c> header (For, Host, Proto, Port, Prefix, Server, Client-IP, …).</summary>
    public const string ForwardedPrefix = "X-Forwarded-";

    /// <summary>The standard header, and the ones proxies, load balancers and CDNs set instead of or beside it.</summary>
    public static readonly FrozenSet<string> Names = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Forwarded",
        "X-Real-IP",
        "True-Client-IP",
        "CF-Connecting-IP",
        "X-Client-IP",
        "X-Cluster-Client-IP",
        "Fastly-Client-IP",
        "X-Original-Forwarded-For",
        "Via");

    /// <summary>The name of the first proxy header the request carries, or null when it carries none.</summary>
    public static string? Find(IHeaderDictionary headers)
    {
        foreach (var (name, _) in headers)
        {
            if (Names.TryGetValue(name, out var known))
            {
                return known;
            }

            if (name.StartsWith(ForwardedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                // The name is the caller's and goes into a refusal that is logged: a short one as sent, a long one not.
                return name.Length <= 64 ? name : ForwardedPrefix + "…";
            }
        }

        return null;
    }
}
