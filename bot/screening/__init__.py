"""The conversation's rules, free of Rasa: the questions, how answers are read, eligibility, crisis language and the sentences a visitor sees."""
