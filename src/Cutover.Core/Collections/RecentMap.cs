using System.Collections.Concurrent;

namespace Cutover.Core.Collections;

/// <summary>
/// A bounded map with lock-free reads, in two generations instead of a linked-list LRU: writes go into the current
/// generation; when it holds half the capacity it becomes the previous one and the old previous is dropped. So at most
/// <c>capacity</c> keys are held, recently used ones survive (<see cref="TryGet"/> copies a hit in the previous
/// generation forward), reads take no lock, and the lock is only taken to rotate. Conversation memory and the identity
/// map are built on it.
/// </summary>
internal sealed class RecentMap<TValue>(int capacity)
{
    private readonly int _generationSize = Math.Max(1, capacity / 2);
    private readonly Lock _rotateLock = new();
    private volatile Generation _current = new();
    private volatile Generation _previous = new();

    /// <summary>Keys held in both generations (a key may be counted twice briefly).</summary>
    public int Count => _current.Count + _previous.Count;

    /// <summary>The value in either generation, without copying it forward.</summary>
    public bool TryPeek(string key, out TValue value) =>
        _current.Entries.TryGetValue(key, out value!) || _previous.Entries.TryGetValue(key, out value!);

    /// <summary>The value in the current generation only: what a write would overwrite.</summary>
    public bool TryGetCurrent(string key, out TValue value) => _current.Entries.TryGetValue(key, out value!);

    /// <summary>The value in either generation; a hit in the previous one is copied forward, so it survives the next rotation.</summary>
    public bool TryGet(string key, out TValue value)
    {
        if (_current.Entries.TryGetValue(key, out value!))
        {
            return true;
        }

        if (!_previous.Entries.TryGetValue(key, out value!))
        {
            return false;
        }

        Set(key, value);
        return true;
    }

    public void Set(string key, TValue value)
    {
        var current = _current;
        if (current.Entries.TryAdd(key, value))
        {
            if (Interlocked.Increment(ref current.Count) >= _generationSize)
            {
                Rotate(current);
            }

            return;
        }

        current.Entries[key] = value;
    }

    private void Rotate(Generation full)
    {
        lock (_rotateLock)
        {
            if (!ReferenceEquals(_current, full))
            {
                return;
            }

            _previous = full;
            _current = new Generation();
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, TValue> Entries = new(StringComparer.Ordinal);
        public int Count;
    }
}
