using System.Net;
using System.Text.Json;
using Cutover.Core.Rollout;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// A manual percent change (<c>PUT /admin/routing</c>) and a rollout command sent at the same moment, many times, through
/// a real router on a fake clock: one owner decides, so the end state is always one the rules allow. Never a manual
/// percent applied under a running rollout (which the next evaluation would silently put back), never a refused change
/// that was applied anyway.
/// </summary>
public sealed class ManualChangeRaceTests : IAsyncLifetime
{
    private const int Rounds = 25;
    private const decimal Manual = 50;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 10, TimeSpan.Zero));
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private RolloutService Rollouts => _router.Service<RolloutService>();

    private decimal RoutingPercent => _router.Service<RoutingStateHolder>().Current.State.Percent;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _router = await RouterHarness.StartAsync(_upstreams, static s => s["Cutover:Rollout:Mode"] = "manual", _time, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task ManualPercentAndRolloutStart_AtOnce_ExactlyOneWins_AndTheStateIsTheWinners()
    {
        for (var round = 0; round < Rounds; round++)
        {
            // arrange: no rollout, routing at 0%
            await ResetAsync();

            // act: start (to the first step, 10%) and a manual 50% at once; whichever goes first makes the other wrong
            var (start, manual) = await AtOnceAsync("admin/rollout/start");

            // assert: one wins, the other is refused for the right reason, and what stands is the winner's
            var rollout = await Rollouts.CurrentAsync(Cancel);
            if (start.Status == HttpStatusCode.OK)
            {
                Assert.Equal((HttpStatusCode.Conflict, "rollout_active"), (manual.Status, manual.Error));
                Assert.Equal(RolloutStatus.Soaking, rollout.Status);
                Assert.Equal(10m, RoutingPercent);
            }
            else
            {
                Assert.Equal((HttpStatusCode.Conflict, "rollout_refused"), (start.Status, start.Error)); // below the current percent
                Assert.Equal(HttpStatusCode.OK, manual.Status);
                Assert.Equal(RolloutStatus.Idle, rollout.Status);
                Assert.Equal(Manual, RoutingPercent);
            }

            // and the controller's next look finds nothing to put back
            var before = RoutingPercent;
            await Rollouts.EvaluateAsync(Cancel);
            Assert.Equal(before, RoutingPercent);
        }
    }

    [Fact]
    public async Task ManualPercentAndRolloutAbort_AtOnce_TheManualChangeStandsOnlyIfItCameAfter()
    {
        for (var round = 0; round < Rounds; round++)
        {
            // arrange: a rollout soaking at its first step, 10%
            await ResetAsync();
            await SendAsync(HttpMethod.Post, "admin/rollout/start", """{"reason": "race"}""", HttpStatusCode.OK);

            // act: abort (to 0%) and a manual 50% at once
            var (abort, manual) = await AtOnceAsync("admin/rollout/abort");

            // assert: the abort always goes through; the manual change is applied after it, or refused before it
            Assert.Equal(HttpStatusCode.OK, abort.Status);
            Assert.Equal(RolloutStatus.Idle, (await Rollouts.CurrentAsync(Cancel)).Status);
            if (manual.Status == HttpStatusCode.OK)
            {
                Assert.Equal(Manual, RoutingPercent);
            }
            else
            {
                Assert.Equal((HttpStatusCode.Conflict, "rollout_active"), (manual.Status, manual.Error));
                Assert.Equal(0m, RoutingPercent);
            }
        }
    }

    /// <summary>The rollout command and the manual change, sent together; each answer's status and <c>error</c>.</summary>
    private async Task<(Answer Command, Answer Manual)> AtOnceAsync(string commandPath)
    {
        var command = SendAsync(HttpMethod.Post, commandPath, """{"reason": "race"}""");
        var manual = SendAsync(HttpMethod.Put, "admin/routing", $$"""{"percent": {{Manual}}, "reason": "race"}""");
        await Task.WhenAll(command, manual);
        return (await command, await manual);
    }

    private async Task ResetAsync()
    {
        if ((await Rollouts.CurrentAsync(Cancel)).Status.IsActive())
        {
            await SendAsync(HttpMethod.Post, "admin/rollout/abort", """{"reason": "reset"}""", HttpStatusCode.OK);
        }

        await SendAsync(HttpMethod.Put, "admin/routing", """{"percent": 0, "reason": "reset"}""", HttpStatusCode.OK);
        Assert.Equal(0m, RoutingPercent);
    }

    private async Task<Answer> SendAsync(HttpMethod method, string path, string body, HttpStatusCode? expected = null)
    {
        using var response = await _router.AdminAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        if (expected is { } status)
        {
            Assert.True(response.StatusCode == status, $"{method} {path}: {(int)response.StatusCode} {text}");
        }

        var error = response.IsSuccessStatusCode ? null : JsonDocument.Parse(text).RootElement.GetProperty("error").GetString();
        return new Answer(response.StatusCode, error);
    }

    private sealed record Answer(HttpStatusCode Status, string? Error);
}
