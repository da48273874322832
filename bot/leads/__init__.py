"""What happens to a screened lead: the store, the staff work list, the notification outbox, erasure and retention, and the views staff read."""
