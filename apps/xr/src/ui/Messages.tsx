/** #messages: errors (red) and notices from the store, each dismissable. */
import { dismissMessage, useAppStore } from '../state/store.ts'

export function Messages() {
  const messages = useAppStore((s) => s.messages)
  return (
    <section id="messages" className="messages" aria-live="assertive">
      {messages.map((message) => (
        <div
          key={message.id}
          className={`message ${message.level}`}
          role={message.level === 'error' ? 'alert' : 'status'}
        >
          <span className="message-text">{message.text}</span>
          <button
            type="button"
            className="icon dismiss"
            aria-label="dismiss"
            title="dismiss"
            onClick={() => dismissMessage(message.id)}
          >
            ✕
          </button>
        </div>
      ))}
    </section>
  )
}
