/**
 * The wire protocol on Netty: {@link io.chorus.transport.netty.FrameCodec}, {@link
 * io.chorus.transport.netty.ChorusServer}, {@link io.chorus.transport.netty.ClientConnection} and {@link
 * io.chorus.transport.netty.NettyTransport}, all on injected {@link io.chorus.transport.netty.EventLoops}.
 * Event loops do I/O only: request handlers run on a dispatch executor, callers' continuations on a callback
 * executor.
 */
package io.chorus.transport.netty;
