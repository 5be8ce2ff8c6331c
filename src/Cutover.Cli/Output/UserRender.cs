using System.Globalization;
using Cutover.Server.Contracts;
using Spectre.Console;

namespace Cutover.Cli.Output;

/// <summary>What <c>cutover user</c> prints.</summary>
internal static class UserRender
{
    public static void User(IAnsiConsole console, UserView u)
    {
        console.WriteLine(u.Known
            ? $"{u.User}: person {u.Person}, first seen {(u.FirstSeen is { } seen ? Render.Time(seen) : "by another instance")}, bucket {u.Bucket}"
            : $"{u.User}: not seen yet; as a new user they would get bucket {u.Bucket}");

        if (u.Identifiers.Count > 1 || u.Known)
        {
            console.WriteLine("Identifiers (stored form):");
            foreach (var i in u.Identifiers)
            {
                var when = i.FirstSeen is { } at ? "  since " + Render.Time(at) : string.Empty;
                console.WriteLine($"  {i.Identifier}{(i.Asked ? "  (the one asked about)" : string.Empty)}{when}");
            }
        }

        if (u.Override is { } pin)
        {
            var what = string.Join(", ", new[] { pin.Route, pin.Domain is null ? null : "domain " + pin.Domain }.Where(static s => s is not null));
            console.WriteLine($"Override on {pin.User}: {what}, by {pin.Actor} ({pin.Reason})");
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Domain").AddColumn("Route").AddColumn("Upstream").AddColumn("Why");
        foreach (var r in u.Routes)
        {
            table.AddRow(new Text(r.Domain), new Text(r.Route), new Text(r.Upstream), new Text(r.Reason));
        }

        console.Write(table);

        if (u.Conversation is { } c)
        {
            console.WriteLine($"Last inbound message: {Render.Time(c.At)}, {c.Domain} → {c.Route} ({c.Upstream}); " + (c.StatusesFollow
                ? "statuses of the replies go there too"
                : "outside the conversation window, so statuses go by the bucket"));
        }

        if (u.LastDecision is { } d)
        {
            var status = d.StatusCode.ToString(CultureInfo.InvariantCulture) + (d.Success ? string.Empty : " (failed)") + (d.Fallback ? ", fallback" : string.Empty);
            console.WriteLine($"Last decision: {Render.Time(d.At)} {d.Kind} {d.Domain} by {d.Rule} → {d.Route} ({d.Upstream}), {status}, correlation {d.CorrelationId}");
        }
        else
        {
            console.WriteLine("No decision logged for this person within the log's retention.");
        }
    }
}
