namespace Cutover.Core.Stats;

/// <summary>One minute of <see cref="StatsSeries"/>: its start, and each route's figures over all domains.</summary>
public sealed record SeriesPoint(DateTimeOffset At, SeriesFigures Unified, SeriesFigures Legacy);
