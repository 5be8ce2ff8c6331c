namespace Cutover.Core.Health;

/// <summary>How sure the error-rate comparison must be, and which regressions it looks for.</summary>
public sealed record ErrorComparisonOptions
{
    public static ErrorComparisonOptions Default { get; } = new();

    /// <summary>
    /// The probability, under equal error rates, that the comparison ever says "worse", however long it is
    /// watched and however often it is read. 0.01 by default.
    /// </summary>
    public double Alpha
    {
        get;
        init
        {
            // Written so that NaN fails too.
            if (!(value is > 0.0 and < 1.0))
            {
                throw new ArgumentOutOfRangeException(nameof(Alpha), value, "Alpha must be above 0 and below 1.");
            }

            field = value;
        }
    } = HealthDefaults.Alpha;

    /// <summary>The mixture over risk ratios above 1; <see cref="RiskRatioPrior.Default"/> unless set.</summary>
    public RiskRatioPrior Prior
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Prior));
            field = value;
        }
    } = RiskRatioPrior.Default;

    /// <summary>1 / alpha: the likelihood ratio at which the comparison says "worse".</summary>
    public double Threshold => 1.0 / Alpha;
}
