namespace Cutover.Testing.Golden;

/// <summary>A golden check failed: the message says which files differ and where first.</summary>
internal sealed class GoldenMismatchException(string message) : Exception(message);
