using Cutover.Core.Routing;
using Cutover.Core.Webhooks;

namespace Cutover.Benchmarks;

/// <summary>What the benchmarks' bodies hold, so the figures in docs/benchmarks.md can say what was measured.</summary>
internal static class PayloadReport
{
    public static void Print(TextWriter output)
    {
        var snapshot = BenchRouting.Snapshot(percent: 50m);
        foreach (var (name, body) in new[] { ("one message", Payloads.OneMessage()), ("mixed", Payloads.Mixed()), ("batch", Payloads.Batch(1000)) })
        {
            var parsed = new ParsedWebhook();
            if (!WebhookParser.TryParse(body, parsed, out var error))
            {
                throw new InvalidOperationException($"{name}: {error}");
            }

            var decisions = new UpdateDecision[parsed.Count];
            Router.Decide(parsed, snapshot, BenchRouting.Routing(BenchRouting.Memory()), BenchRouting.Now, decisions);
            var users = parsed.Updates.ToArray().Select(static u => u.UserKey).Distinct(StringComparer.Ordinal).Count();
            var upstreams = decisions.Select(static d => d.Upstream).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var rules = decisions.GroupBy(static d => d.Rule).OrderBy(static g => g.Key).Select(static g => $"{g.Key} {g.Count()}");
            output.WriteLine($"{name}: {body.Length:N0} bytes, {parsed.Count} updates, {users} users, "
                + $"{upstreams.Count} parts ({string.Join(", ", upstreams)}); rules: {string.Join(", ", rules)}");
        }
    }
}
