using System.Buffers;
using Cutover.Server.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cutover.Server.Hosting;

/// <summary>
/// Refuses (400 <c>path_not_normal</c>) a request whose path, as sent, is not already in normal form: a <c>.</c> or
/// <c>..</c> segment (also percent-encoded), an encoded slash or backslash, or a backslash.
/// </summary>
/// <remarks>
/// Kestrel decodes and removes dot segments before routing, so <c>/webhook/../metrics</c> is served as <c>/metrics</c>:
/// a proxy in front that exposes only <c>/webhook*</c> could be walked past to <c>/metrics</c> or <c>/admin</c>. Nothing
/// Meta or the CLI sends needs such a path, so it is refused rather than normalised. It runs first for every request,
/// the webhook included: the common case is one vectorised scan of the raw target that finds no '.', '%' or '\'.
/// </remarks>
internal static class PathGuard
{
    public const string ErrorCode = "path_not_normal";

    private static readonly SearchValues<char> Suspicious = SearchValues.Create(".%\\");

    public static Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is null || Problem(target) is not { } problem)
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(new ErrorBody(ErrorCode, problem), ServerJson.Default.ErrorBody);
    }

    /// <summary>What is not normal about the path of a raw request target, or null when it is normal.</summary>
    internal static string? Problem(string rawTarget)
    {
        var path = PathOf(rawTarget);
        return path.IndexOfAny(Suspicious) < 0 ? null : Inspect(path);
    }

    /// <summary>The path of an origin-form (<c>/a?b</c>) or absolute-form (<c>http://host/a?b</c>) target; empty for others (<c>*</c>).</summary>
    private static ReadOnlySpan<char> PathOf(string rawTarget)
    {
        var target = rawTarget.AsSpan();
        var end = target.IndexOfAny('?', '#');
        if (end >= 0)
        {
            target = target[..end];
        }

        if (target.IsEmpty || target[0] == '/')
        {
            return target;
        }

        var scheme = target.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return [];
        }

        var authority = target[(scheme + 3)..];
        var slash = authority.IndexOf('/');
        return slash < 0 ? [] : authority[slash..];
    }

    private static string? Inspect(ReadOnlySpan<char> path)
    {
        if (path.Contains('\\'))
        {
            return "the request path has a backslash; send it with '/' only";
        }

        for (var i = path.IndexOf('%'); i >= 0 && i + 2 < path.Length; i = NextPercent(path, i))
        {
            if (path[i + 1] == '2' && path[i + 2] is 'f' or 'F')
            {
                return "the request path has an encoded slash (%2F); send the path as it is meant, without encoded separators";
            }

            if (path[i + 1] == '5' && path[i + 2] is 'c' or 'C')
            {
                return "the request path has an encoded backslash (%5C); send the path as it is meant, without encoded separators";
            }
        }

        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (DotsIn(segment) is var dots and (1 or 2))
            {
                var name = dots == 1 ? "'.'" : "'..'";
                return segment.Contains('%')
                    ? $"the request path has an encoded {name} segment (%2E); send the path as it is meant, without dot segments"
                    : $"the request path has a {name} segment; send the path as it is meant, without dot segments";
            }
        }

        return null;
    }

    private static int NextPercent(ReadOnlySpan<char> path, int at)
    {
        var next = path[(at + 1)..].IndexOf('%');
        return next < 0 ? -1 : at + 1 + next;
    }

    /// <summary>How many dots the segment is made of ('.' or %2E each), or 0 when it has anything else.</summary>
    private static int DotsIn(ReadOnlySpan<char> segment)
    {
        var dots = 0;
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] == '.')
            {
                dots++;
            }
            else if (segment[i] == '%' && i + 2 < segment.Length && segment[i + 1] == '2' && segment[i + 2] is 'e' or 'E')
            {
                dots++;
                i += 2;
            }
            else
            {
                return 0;
            }
        }

        return dots;
    }
}
