using System.ComponentModel;
using Cutover.Core.Text;

namespace Cutover.Core.Rollout;

/// <summary><c>manual</c>: after a green soak, wait for <c>promote</c>. <c>auto</c>: advance by itself.</summary>
[TypeConverter(typeof(EnumNameConverter<RolloutMode>))]
public enum RolloutMode
{
    Manual = 0,
    Auto = 1,
}
