using System.Diagnostics;
using System.Net.Http.Headers;
using Cutover.Core.Webhooks;

namespace Cutover.Cli.Demo;

/// <summary>Posts bursts of the generator's webhooks to the router, signed as Meta signs them, a few at a time.</summary>
internal sealed class TrafficSender(Uri router, TrafficGenerator generator, string appSecret) : IDisposable
{
    private const int Concurrency = 16;

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = router };
    private readonly WebhookSignature _signer = new(appSecret);

    /// <summary>POSTs sent so far, and how many Meta would have been told anything but 200 (it would retry those).</summary>
    /// <summary>The router's address (its admin API too).</summary>
    public Uri Router => router;

    public long Posts { get; private set; }

    public long NotOk { get; private set; }

    public long Updates { get; private set; }

    /// <summary>Sends <paramref name="count"/> POSTs and returns how many updates they carried.</summary>
    public async Task<int> SendAsync(int count, CancellationToken cancellationToken) =>
        (await SendBurstAsync(count, cancellationToken)).Updates;

    /// <summary>Sends <paramref name="count"/> POSTs, timing each one's answer and keeping the keys of those answered 200.</summary>
    public async Task<SentBurst> SendBurstAsync(int count, CancellationToken cancellationToken)
    {
        var batch = generator.NextPosts(count);
        var updates = batch.Sum(static p => p.Updates);
        var ackMs = new double[batch.Count];
        var ok = new bool[batch.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, batch.Count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var post = batch[i];
                using var content = new ByteArrayContent(post.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                content.Headers.Add(WebhookSignature.HeaderName, _signer.Sign(post.Body));
                var started = Stopwatch.GetTimestamp();
                using var response = await _http.PostAsync("webhook", content, ct);
                ackMs[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                ok[i] = response.IsSuccessStatusCode;
            });
        var notOk = ok.Count(static o => !o);
        Posts += count;
        Updates += updates;
        NotOk += notOk;
        return new SentBurst(updates, ackMs, [.. batch.Where((_, i) => ok[i]).SelectMany(static p => p.Keys)]);
    }

    public void Dispose() => _http.Dispose();
}
