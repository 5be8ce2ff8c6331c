using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cutover.Core.Webhooks;
using Cutover.Testing;

namespace Cutover.EndToEnd.Tests.Support;

/// <summary>
/// What the upstreams received in a queued run, counted by <c>X-Idempotency-Key</c> (a dictionary of ids and counts, not
/// the requests: a run of 20,000 webhooks keeps no bodies). Every request is checked as it arrives: it carries a key and
/// an attempt number, its body is one Meta envelope of exactly the update the key names, signed with the app secret.
/// Anything else (a stray request, a request without a key, a bad body or signature) is a problem, kept as a few samples.
/// </summary>
internal sealed class DeliveryLedger
{
    private const int Samples = 20;
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _problems = new();
    private long _requests;
    private long _problemCount;

    /// <summary>Counts every request <paramref name="upstreams"/> receive from now on (and no longer keeps them).</summary>
    public DeliveryLedger(RecordingUpstreams upstreams)
    {
        upstreams.KeepRequests = false;
        upstreams.Observe = Record;
    }

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Distinct keys received.</summary>
    public int Distinct => _counts.Count;

    public long ProblemCount => Interlocked.Read(ref _problemCount);

    public IReadOnlyCollection<string> Problems => _problems;

    public int CountOf(string key) => _counts.TryGetValue(key, out var count) ? count : 0;

    /// <summary>Keys received more than once, with how many times.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Duplicates => [.. _counts.Where(static p => p.Value > 1).OrderBy(static p => p.Key, StringComparer.Ordinal)];

    private void Record(ReceivedRequest request)
    {
        Interlocked.Increment(ref _requests);
        var key = request.Header("X-Idempotency-Key");
        var problem = request.Upstream.Length == 0 ? $"stray request: {request.Method} {request.Path}" : Check(request, key);
        if (problem is not null)
        {
            if (Interlocked.Increment(ref _problemCount) <= Samples)
            {
                _problems.Enqueue(problem);
            }

            return;
        }

        _counts.AddOrUpdate(key!, 1, static (_, count) => count + 1);
    }

    private static string? Check(ReceivedRequest request, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return $"no X-Idempotency-Key on a request to {request.Upstream}";
        }

        if (!int.TryParse(request.Header("X-Cutover-Attempt"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt)
            || attempt < 1)
        {
            return $"{key}: X-Cutover-Attempt is '{request.Header("X-Cutover-Attempt")}'";
        }

        if (request.Header(WebhookSignature.HeaderName) is not { } signature || !RouterHarness.Signer.Verify(request.Body, signature))
        {
            return $"{key}: not signed with the app secret ('{request.Header(WebhookSignature.HeaderName)}')";
        }

        var inBody = EnvelopeKey(request.Body);
        return inBody == key ? null : $"{key}: the body is not one Meta envelope of that update (it names {inBody ?? "none"})";
    }

    /// <summary>The key of the one update in a Meta envelope; null when the body is not an envelope of exactly one update.</summary>
    private static string? EnvelopeKey(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.GetProperty("object").GetString() != "whatsapp_business_account")
            {
                return null;
            }

            var changes = root.GetProperty("entry").EnumerateArray().SelectMany(static e => e.GetProperty("changes").EnumerateArray()).ToList();
            if (changes.Count != 1 || changes[0].GetProperty("field").GetString() != "messages")
            {
                return null;
            }

            var value = changes[0].GetProperty("value");
            var keys = new List<string>();
            if (value.TryGetProperty("messages", out var messages))
            {
                keys.AddRange(messages.EnumerateArray().Select(static m => m.GetProperty("id").GetString()!));
            }

            if (value.TryGetProperty("statuses", out var statuses))
            {
                keys.AddRange(statuses.EnumerateArray().Select(static s => $"{s.GetProperty("id").GetString()}:{s.GetProperty("status").GetString()}"));
            }

            return keys.Count == 1 ? keys[0] : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>
/// What each of a run's webhooks got when it was last sent: 200, another status, or no answer (refused, reset, timed
/// out). Completes <see cref="Threshold"/> once <c>threshold</c> webhooks have been answered 200.
/// </summary>
internal sealed class SendOutcomes(int count, int threshold)
{
    /// <summary>No answer: the connection was refused or broke, or the request timed out.</summary>
    public const int NoAnswer = -1;

    private readonly int[] _status = new int[count];
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private int _acked;

    public int Count => _status.Length;

    public int Acked => Volatile.Read(ref _acked);

    /// <summary>Completed when <c>threshold</c> webhooks have had their 200.</summary>
    public TaskCompletionSource Threshold { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Failures by kind (a status code, or an exception's type), over every send.</summary>
    public IReadOnlyDictionary<string, int> Failures => _failures;

    public bool IsAcked(int index) => Volatile.Read(ref _status[index]) == 200;

    /// <summary>The webhooks without a 200 so far.</summary>
    public List<int> NotAcked() => [.. Enumerable.Range(0, _status.Length).Where(i => !IsAcked(i))];

    public void Answered(int index, HttpStatusCode status)
    {
        Volatile.Write(ref _status[index], (int)status);
        if (status == HttpStatusCode.OK)
        {
            if (Interlocked.Increment(ref _acked) >= threshold)
            {
                Threshold.TrySetResult();
            }
        }
        else
        {
            _failures.AddOrUpdate(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, static (_, n) => n + 1);
        }
    }

    public void Unanswered(int index, Exception exception)
    {
        Volatile.Write(ref _status[index], NoAnswer);
        _failures.AddOrUpdate(exception.GetType().Name, 1, static (_, n) => n + 1);
    }
}

/// <summary>Signed single-update webhooks, sent as Meta sends them: many at once over a bounded number of connections.</summary>
internal static class QueuedTraffic
{
    private static readonly string[] Words = ["looking for a job", "apartment for rent", "selling my phone", "hello", "need a ride"];

    /// <summary>Webhook <paramref name="index"/>: one text message with its own id, from one of <paramref name="users"/> users.</summary>
    public static byte[] Body(string prefix, int index, int users) =>
        WebhookBuilder.Of(new Msg($"2507{index % users:D8}", "text", Words[index % Words.Length], Id: IdOf(prefix, index)));

    public static string IdOf(string prefix, int index) => $"wamid.{prefix}{index:D6}";

    public static HttpClient Client(string url) =>
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>
    /// Sends each of <paramref name="indexes"/> once (<paramref name="bodyOf"/> its bytes, <paramref name="clientFor"/>
    /// where to) with <paramref name="senders"/> concurrent senders, recording each answer in <paramref name="outcomes"/>.
    /// </summary>
    public static async Task SendAsync(
        IReadOnlyList<int> indexes, Func<int, byte[]> bodyOf, Func<int, HttpClient> clientFor, int senders, SendOutcomes outcomes,
        CancellationToken cancellationToken)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            // Off the caller's thread at once: every sender runs its own loop.
            await Task.Yield();
            int position;
            while ((position = Interlocked.Increment(ref next)) < indexes.Count)
            {
                var index = indexes[position];
                var body = bodyOf(index);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                content.Headers.Add(WebhookSignature.HeaderName, RouterHarness.Signer.Sign(body));
                try
                {
                    using var response = await clientFor(index).PostAsync("webhook", content, cancellationToken);
                    outcomes.Answered(index, response.StatusCode);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    outcomes.Unanswered(index, ex);
                }
            }
        }));
    }

    /// <summary>
    /// Waits until the queue is drained as <c>/admin/status</c> says: a reading of the store taken after
    /// <paramref name="after"/> with nothing pending or in flight. Returns that <c>queue</c> object.
    /// </summary>
    public static async Task<JsonElement> DrainedAsync(HttpClient http, string token, DateTimeOffset after, TimeSpan timeout, CutoverProcess server)
    {
        JsonElement queue = default;
        try
        {
            await Eventually.WaitAsync(async () =>
            {
                queue = await QueueAsync(http, token);
                return queue.GetProperty("read_at").ValueKind == JsonValueKind.String && queue.GetProperty("read_at").GetDateTimeOffset() > after
                    && queue.GetProperty("pending").GetInt64() + queue.GetProperty("in_flight").GetInt64() == 0;
            }, timeout, "the queue to drain");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last queue status {queue}\n{server.Output}\n{server.Error}", ex);
        }

        return queue;
    }

    /// <summary>The <c>queue</c> object of <c>/admin/status</c>.</summary>
    public static async Task<JsonElement> QueueAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/status") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"admin/status: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("queue").Clone();
    }

    /// <summary>
    /// Checks that <paramref name="server"/> is the <c>cutover serve</c> process itself (<c>dotnet cutover.dll serve</c>,
    /// the runtime hosted in the muxer's own process) with no child process: a SIGKILL to it kills the server, and
    /// leaves nothing alive that could go on delivering.
    /// </summary>
    public static void AssertIsTheServeProcess(CutoverProcess server)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var commandLine = File.ReadAllText($"/proc/{server.Id}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(commandLine.Length >= 3 && commandLine[1].EndsWith("cutover.dll", StringComparison.Ordinal) && commandLine[2] == "serve",
            $"pid {server.Id} is '{string.Join(' ', commandLine)}'");
        var children = new List<int>();
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(static d => Path.Combine(d, "stat")))
        {
            try
            {
                // "pid (comm) state ppid ...": the fields after the last ')' (comm may hold spaces or parentheses).
                var text = File.ReadAllText(stat);
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == server.Id)
                {
                    children.Add(int.Parse(text[..text.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // Not a process directory, or a process that ended meanwhile.
            }
        }

        Assert.True(children.Count == 0, $"cutover serve (pid {server.Id}) has child processes: {string.Join(", ", children)}");
    }
}
