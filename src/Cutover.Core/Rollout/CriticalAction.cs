using System.ComponentModel;
using Cutover.Core.Text;

namespace Cutover.Core.Rollout;

/// <summary>What a critical health check does to a running rollout (<c>Rollout:OnCritical</c>: <c>zero</c>, <c>step_back</c>).</summary>
[TypeConverter(typeof(EnumNameConverter<CriticalAction>))]
public enum CriticalAction
{
    /// <summary>Back to 0%: every user on legacy.</summary>
    Zero = 0,

    /// <summary>Back to the previous step's percent (0 from the first step).</summary>
    StepBack = 1,
}
