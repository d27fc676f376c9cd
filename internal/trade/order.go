package trade

// OrderStore keeps orders, their lines and the stock they reserve.
type OrderStore interface{}
