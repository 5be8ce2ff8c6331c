namespace Cutover.Server.Hosting;

/// <summary>
/// A synchronization context that never resumes an await on a socket engine thread: the thread pool's
/// (<see cref="ThreadPoolContext"/>) or a dedicated thread's (the decision log's writer). Code running under one may
/// block; <see cref="OffSocketThreads"/> moves store calls made under any other to the thread pool.
/// </summary>
internal interface IOffSocketContext;
