using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace Cutover.Testing.Fuzz;

/// <summary>
/// Sends fuzz cases to a running Cutover with a few concurrent senders and checks each answer against what the
/// <see cref="RecordingUpstreams"/> received under its correlation id; at the end, checks that the server still
/// routes a plain webhook and that nothing reached an upstream that no answer accounts for (a smuggled request, a
/// late one, one Kestrel refused as malformed).
/// </summary>
/// <remarks>
/// In direct delivery Cutover answers only once every forward of a webhook has been answered, and an upstream
/// records a request before answering it, so when the answer arrives every request it caused is already recorded.
/// Requests are handed over as they arrive and dropped once checked, so a long run holds no bodies.
/// </remarks>
public sealed class FuzzRunner : IDisposable
{
    private readonly HttpClient _http;
    private readonly RecordingUpstreams _upstreams;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedRequest>> _byCorrelation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _caseOf = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lastOnConnection = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(ReceivedRequest Request, string? Previous)> _strays = new();

    public FuzzRunner(Uri server, RecordingUpstreams upstreams, WebhookMutator mutator, DeliveryChecker checker)
    {
        _upstreams = upstreams;
        Mutator = mutator;
        Checker = checker;
        Report = new FuzzReport(mutator.Seed);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromSeconds(60),
        };
        upstreams.KeepRequests = false;
        upstreams.Observe = Observe;
    }

    public WebhookMutator Mutator { get; }

    public DeliveryChecker Checker { get; }

    public FuzzReport Report { get; }

    /// <summary>Cases <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> - 1, by <paramref name="concurrency"/> senders.</summary>
    public async Task RunAsync(int first, int count, int concurrency, CancellationToken cancellationToken)
    {
        var next = first - 1;
        var end = first + count;
        var senders = new Task[concurrency];
        for (var s = 0; s < concurrency; s++)
        {
            senders[s] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < end && !cancellationToken.IsCancellationRequested)
                {
                    await RunCaseAsync(Mutator.Create(index), cancellationToken);
                }
            }, cancellationToken);
        }

        await Task.WhenAll(senders);
    }

    /// <summary>Sends one case, checks it and adds it to the report.</summary>
    public async Task<IReadOnlyList<FuzzFailure>> RunCaseAsync(FuzzCase c, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(c, cancellationToken);
        IReadOnlyList<ReceivedRequest> received = [];
        if (answer.CorrelationId is { } id)
        {
            _caseOf[id] = c.Index;
            if (_byCorrelation.TryRemove(id, out var queue))
            {
                received = [.. queue.OrderBy(static r => r.Sequence)];
            }
        }

        var failures = Checker.Check(c, answer, received);
        Report.Add(c, answer, received, failures);
        return failures;
    }

    /// <summary>
    /// The end of a run: a plain webhook must still be routed (200, delivered once); then, once the upstreams have
    /// been quiet for a moment, every request no answer accounted for is a failure, as is every request Kestrel
    /// refused, a server error log line, and a dead process.
    /// </summary>
    public async Task FinishAsync(Func<bool> isAlive, Func<IEnumerable<string>> serverErrors, CancellationToken cancellationToken)
    {
        var plain = Mutator.Plain(int.MaxValue - 1);
        var failures = await RunCaseAsync(plain, cancellationToken);
        if (failures.Count > 0)
        {
            Report.AddLoose(new FuzzFailure("not_serving_after_run", plain.Index, "a plain signed webhook after the run: " + string.Join("; ", failures.Select(static f => $"{f.Class}: {f.Detail}"))));
        }

        await QuietAsync(cancellationToken);

        foreach (var (correlationId, queue) in _byCorrelation)
        {
            foreach (var request in queue)
            {
                var known = _caseOf.TryGetValue(correlationId, out var index);
                Report.AddLoose(
                    new FuzzFailure(known ? "request_after_answer" : "request_unaccounted", known ? index : -1,
                        $"X-Correlation-ID {DeliveryChecker.Excerpt(correlationId, 60)}: {FuzzReport.Describe(request)}"),
                    FuzzReport.Describe(request));
            }
        }

        foreach (var (request, previous) in _strays)
        {
            var index = previous is not null && _caseOf.TryGetValue(previous, out var i) ? i : -1;
            var after = previous is null ? "first on its connection" : $"after X-Correlation-ID {previous} on the same connection";
            var line = $"{DeliveryChecker.Excerpt(request.Method, 20)} {DeliveryChecker.Excerpt(request.Path, 60)} Host: {DeliveryChecker.Excerpt(request.Header("Host") ?? "(none)", 60)}, {request.Body.Length} bytes, {after}";
            Report.AddLoose(new FuzzFailure("stray_request", index, line), $"{after}: {FuzzReport.Describe(request)}");
        }

        // The request Kestrel refused never reached the app, so no correlation id names its case; that case shows as an
        // update_lost ("no upstream received it"). The connection's previous request is named only as a lead.
        foreach (var (connection, reason) in _upstreams.BadRequests)
        {
            var previous = _lastOnConnection.TryGetValue(connection, out var id) && _caseOf.TryGetValue(id, out var i) ? $" (its previous request was case #{i}'s)" : string.Empty;
            var detail = $"Kestrel refused a request as malformed on connection {connection}{previous}: {DeliveryChecker.Excerpt(reason, 300)}";
            Report.AddLoose(new FuzzFailure("upstream_refused_malformed_request", -1, detail), detail);
        }

        foreach (var line in serverErrors())
        {
            Report.AddLoose(new FuzzFailure("server_logged_error", -1, DeliveryChecker.Excerpt(line, 400)), DeliveryChecker.Excerpt(line, 1000));
        }

        if (!isAlive())
        {
            Report.AddLoose(new FuzzFailure("process_died", -1, "cutover serve is no longer running"));
        }
    }

    public void Dispose()
    {
        _upstreams.Observe = null;
        _http.Dispose();
    }

    private async Task<FuzzAnswer> SendAsync(FuzzCase c, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhook") { Content = new ByteArrayContent(c.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (c.Signatures.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", c.Signatures);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var correlationId = response.Headers.TryGetValues("X-Correlation-ID", out var values) ? string.Join(",", values) : null;
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return new FuzzAnswer((int)response.StatusCode, correlationId, DeliveryChecker.Excerpt(body, 300));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return new FuzzAnswer(0, null, string.Empty, $"{ex.GetType().Name}: {ex.Message}{(ex.InnerException is { } inner ? " <- " + inner.Message : string.Empty)}");
        }
    }

    private void Observe(ReceivedRequest request)
    {
        if (request.Header("X-Correlation-ID") is { Length: > 0 } id)
        {
            _byCorrelation.GetOrAdd(id, static _ => new ConcurrentQueue<ReceivedRequest>()).Enqueue(request);
            _lastOnConnection[request.ConnectionId] = id;
            return;
        }

        _strays.Enqueue((request, _lastOnConnection.TryGetValue(request.ConnectionId, out var previous) ? previous : null));
    }

    /// <summary>Waits until no request has reached the upstreams for three ticks of 100 ms (at most 5 s): a smuggled request trails its carrier.</summary>
    private async Task QuietAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        var last = -1L;
        var quiet = 0;
        while (quiet < 3 && clock.Elapsed < TimeSpan.FromSeconds(5) && await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = _upstreams.Received;
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }
}
