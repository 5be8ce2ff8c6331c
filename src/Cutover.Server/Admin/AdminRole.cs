namespace Cutover.Server.Admin;

/// <summary>What an admin token may do: <c>read</c> reads; <c>operate</c> reads and changes.</summary>
internal enum AdminRole
{
    Read = 0,
    Operate = 1,
}
