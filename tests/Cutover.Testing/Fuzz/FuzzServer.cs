using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Cutover.Testing.Fuzz;

/// <summary>
/// The set-up a fuzz run needs around a real <c>cutover serve</c>: its config file (docs/configuration.md: an app
/// secret, every upstream at a <see cref="RecordingUpstreams"/>, a SQLite store in a temp folder, an operate token,
/// a hash key, the body limit), routing at 50% so webhooks split and statuses follow, and the process's memory.
/// </summary>
public static class FuzzServer
{
    public const string AppSecret = RouterHarness.AppSecret;
    public const string OperateToken = "fuzz-operate-token-0123456789";
    public const string HashKey = "fuzz-hash-key-0123456789abcdef";

    /// <summary>Writes <c>cutover.json</c> into <paramref name="directory"/> and returns its path.</summary>
    public static string WriteConfig(string directory, RecordingUpstreams upstreams, int maxBodyBytes = WebhookMutator.DefaultMaxBodyBytes)
    {
        var urls = new JsonObject();
        foreach (var name in RecordingUpstreams.Names)
        {
            urls[name] = new JsonObject { ["Url"] = upstreams.UrlOf(name) };
        }

        var config = new JsonObject
        {
            ["Cutover"] = new JsonObject
            {
                ["AppSecret"] = AppSecret,
                ["Upstreams"] = urls,
                ["Store"] = new JsonObject { ["Provider"] = "sqlite", ["ConnectionString"] = $"Data Source={Path.Combine(directory, "cutover.db")}" },
                ["Admin"] = new JsonObject
                {
                    ["Tokens"] = new JsonArray(new JsonObject { ["Name"] = "fuzz", ["Token"] = OperateToken, ["Role"] = "operate" }),
                },
                ["Privacy"] = new JsonObject { ["HashKey"] = HashKey },
                ["Ingress"] = new JsonObject { ["MaxBodyBytes"] = maxBodyBytes },
            },
            // Errors only from Cutover itself (its own bugs log at Error): those lines are checked at the end.
            ["Logging"] = new JsonObject
            {
                ["LogLevel"] = new JsonObject { ["Default"] = "Warning", ["Cutover"] = "Error" },
            },
        };
        var path = Path.Combine(directory, "cutover.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    /// <summary>Routing on, 50% of every routable domain to unified: webhooks of several users split, unified and legacy both take traffic.</summary>
    public static async Task RouteHalfAsync(Uri server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperateToken);
        using var enable = await http.PostAsync("admin/enable", Json("""{"reason":"fuzz: routing on"}"""), cancellationToken);
        using var set = await http.PutAsync("admin/routing", Json("""{"percent":50,"reason":"fuzz: half of every routable domain"}"""), cancellationToken);
        if (!set.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /admin/routing answered {(int)set.StatusCode}: {await set.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>The resident set of process <paramref name="pid"/> in bytes (Linux), or null.</summary>
    public static long? RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>The console logger's error entries (<c>fail:</c>/<c>crit:</c> and the line after) in a process's output.</summary>
    public static List<string> ErrorLines(string output)
    {
        var lines = output.Split('\n');
        var errors = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
            {
                errors.Add(lines[i].TrimEnd() + (i + 1 < lines.Length ? " " + lines[i + 1].Trim() : string.Empty));
            }
        }

        return errors;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
