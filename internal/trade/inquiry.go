package trade

// InquiryStore keeps inquiries, their messages and quotes, and RFQs.
type InquiryStore interface{}
